from accordia.cli import main

main()

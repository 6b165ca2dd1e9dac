"""The common importer: every record kind, in CSV, JSON/JSONL and XLSX, by natural keys."""

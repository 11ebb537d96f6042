"""Generated notices (PDF records). Filled in by the notices issue."""

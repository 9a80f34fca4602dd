"""Reading articles (corpus files, intake), cutting them into sentence nodes, the re-index run."""

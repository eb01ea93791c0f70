"""Media of members' posts shown on the pages: attachments and polls read from stored documents, and
the same-origin proxy that fetches, re-encodes and caches remote images so visitors' browsers never
contact members' servers."""

"""What people and scripts read, shared by the command line and the service: labels in each
language, the JSON documents, the HTML page and the state diagram."""

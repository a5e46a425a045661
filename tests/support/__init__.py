"""What the tests share and what is not a test: builders, servers, the browser."""

// The web services connector.

# CPack: the Debian package (owned by the packaging helper).

/*
 * sf-devwallet: create (or reuse) a local development wallet for testnet
 * runs without PAY_TO.  Writes KEYFILE (mode 0600, hex private key) once
 * and prints the checksumless lower-case address on stdout.  Refuses to
 * overwrite anything; never prints the key.
 *
 *	sf-devwallet KEYFILE
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <secp256k1.h>

#include "basics/keccak.h"

static int
devwallet_read(const char *path, unsigned char key[32])
{
	char		 hex[80];
	FILE		*f;
	struct stat	 st;
	size_t		 i;
	unsigned	 b;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fstat(fileno(f), &st) == -1 || (st.st_mode & 077) != 0) {
		fprintf(stderr, "sf-devwallet: %s must be mode 0600\n", path);
		fclose(f);
		exit(1);
	}
	if (fgets(hex, sizeof(hex), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	hex[strcspn(hex, "\r\n")] = '\0';
	if (strncmp(hex, "0x", 2) != 0 || strlen(hex) != 66)
		return -1;
	for (i = 0; i < 32; i++) {
		if (sscanf(hex + 2 + 2 * i, "%2x", &b) != 1)
			return -1;
		key[i] = (unsigned char)b;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	secp256k1_context	*ctx;
	secp256k1_pubkey	 pub;
	unsigned char		 key[32], ser[65], h[32];
	size_t			 len = sizeof(ser), i;
	FILE			*f;
	int			 fd;

	if (argc != 2) {
		fprintf(stderr, "usage: sf-devwallet KEYFILE\n");
		return 2;
	}
	ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (devwallet_read(argv[1], key) == -1) {
		if (access(argv[1], F_OK) == 0) {
			fprintf(stderr, "sf-devwallet: %s is not a key file\n",
			    argv[1]);
			return 1;
		}
		do {
			if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
				fprintf(stderr, "sf-devwallet: getrandom: %s\n",
				    strerror(errno));
				return 1;
			}
		} while (!secp256k1_ec_seckey_verify(ctx, key));
		fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "sf-devwallet: %s: %s\n", argv[1],
			    strerror(errno));
			return 1;
		}
		fprintf(f, "0x");
		for (i = 0; i < 32; i++)
			fprintf(f, "%02x", key[i]);
		fprintf(f, "\n");
		if (fclose(f) != 0) {
			fprintf(stderr, "sf-devwallet: %s: %s\n", argv[1],
			    strerror(errno));
			return 1;
		}
	}
	if (!secp256k1_ec_pubkey_create(ctx, &pub, key) ||
	    !secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pub,
	    SECP256K1_EC_UNCOMPRESSED)) {
		fprintf(stderr, "sf-devwallet: invalid key in %s\n", argv[1]);
		return 1;
	}
	/* Address: last 20 bytes of keccak256 of the 64-byte public key. */
	keccak256(ser + 1, 64, h);
	printf("0x");
	for (i = 12; i < 32; i++)
		printf("%02x", h[i]);
	printf("\n");
	explicit_bzero(key, sizeof(key));
	secp256k1_context_destroy(ctx);
	return 0;
}

/* Strict 0x-hex parsing, encoding and EIP-55. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basics/hex.h"
#include "tap.h"

int
main(void)
{
	/* EIP-55 spec examples plus the addresses x402 uses. */
	static const char *eip55[] = {
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
		"0x857b06519E91e3A54538791bDbb0E22373e36b66",
		"0x036CbD53842c5426634e7929541eC2318f3dCF7e",
		"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
	};
	uint8_t		 a[20], b[65], n32[32];
	char		 out[HEX_ADDR_STRLEN], lower[HEX_ADDR_STRLEN], big[133];
	size_t		 i, len;

	for (i = 0; i < sizeof(eip55) / sizeof(eip55[0]); i++) {
		TAP_OK(hex_decode_fixed(eip55[i], a, 20) == 0, "parse %s", eip55[i]);
		hex_eip55(a, out);
		TAP_STREQ(out, eip55[i], "EIP-55 checksum #%zu", i);
		hex_encode(a, 20, lower);
		TAP_OK(hex_addr_eq(lower, eip55[i]), "case-insensitive eq");
	}
	TAP_OK(!hex_addr_eq(eip55[0], eip55[1]), "different addresses");
	TAP_OK(!hex_addr_eq("0x1234", eip55[1]), "short address never equal");

	TAP_OK(hex_decode_fixed("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", a, 20) == -1,
	    "39 digits");
	TAP_OK(hex_decode_fixed("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0", a, 20) == -1,
	    "41 digits");
	TAP_OK(hex_decode_fixed("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00", a, 20) == -1,
	    "no 0x");
	TAP_OK(hex_decode_fixed("0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", a, 20) == -1,
	    "0X");
	TAP_OK(hex_decode_fixed("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", a, 20) == -1,
	    "non-hex digit");
	TAP_OK(hex_decode_fixed(" 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", a, 20) == -1,
	    "leading space");
	TAP_OK(hex_decode_fixed("0x", a, 0) == 0, "zero-length fixed");
	TAP_OK(hex_decode_fixed(NULL, a, 20) == -1, "NULL");

	TAP_OK(hex_decode_fixed("0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480",
	    n32, 32) == 0 && n32[0] == 0xf3 && n32[31] == 0x80, "nonce");

	TAP_OK(hex_decode("0x1234", b, 65, &len) == 0 && len == 2 &&
	    b[0] == 0x12 && b[1] == 0x34, "variable 2 bytes");
	TAP_OK(hex_decode("0x123", b, 65, &len) == -1, "odd length");
	TAP_OK(hex_decode("0x", b, 65, &len) == -1, "empty");
	memset(big, 'a', sizeof(big));
	big[0] = '0';
	big[1] = 'x';
	big[132] = '\0';
	TAP_OK(hex_decode(big, b, 65, &len) == 0 && len == 65, "65 bytes fit");
	TAP_OK(hex_decode(big, b, 64, &len) == -1, "65 bytes exceed max 64");

	b[0] = 0x00;
	b[1] = 0xab;
	b[2] = 0xff;
	hex_encode(b, 3, out);
	TAP_STREQ(out, "0x00abff", "encode");
	return tap_done();
}

/*
 * One payment offer ("PaymentRequirements") as WE build it for one priced
 * request on one network.  The 402 challenge serialises these; the verifier
 * matches an incoming payment against them and never trusts the client's copy.
 */
#ifndef SF_X402_OFFER_H
#define SF_X402_OFFER_H

#include <stdint.h>

#define X402_OFFER_ADDR	48	/* 0x + 40 hex, or base58 of 32 bytes */

struct x402_offer {
	int		svm;		/* Solana: the SVM exact scheme */
	char		scheme[8];	/* "exact" */
	char		network[48];	/* CAIP-2, "eip155:84532", "solana:..." */
	char		network_v1[32];	/* "base-sepolia"; "" = not offered to v1 */
	uint64_t	chain_id;
	char		amount[80];	/* atomic units, decimal string */
	char		asset[X402_OFFER_ADDR];	/* as configured */
	char		pay_to[X402_OFFER_ADDR];
	unsigned	max_timeout;	/* maxTimeoutSeconds */
	char		name[64];	/* EIP-712 domain name (extra.name) */
	char		version[16];	/* EIP-712 domain version */
	char		fee_payer[X402_OFFER_ADDR]; /* SVM: extra.feePayer */
	unsigned	decimals;	/* SVM: the mint's decimals */
	int		mainnet;
};

#endif

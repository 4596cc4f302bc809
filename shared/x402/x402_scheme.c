#include <string.h>
#include <time.h>

#include "basics/err.h"
#include "x402/svm/svm_x402.h"
#include "x402/x402_scheme.h"

int
x402_scheme_verify_header(const char *hdr, int version,
    const struct x402_offer *offers, size_t noffers, time_t now,
    struct x402_payment *pay, struct x402_verdict *v, struct svm_verdict *svm)
{
	struct sf_err	 err;

	memset(svm, 0, sizeof(*svm));
	sf_err_clear(&err);
	if (x402_payment_decode(hdr, version, pay, &err) == -1) {
		memset(v, 0, sizeof(*v));
		v->reason = err.status >= 500 ? X402_R_UNEXPECTED :
		    strcmp(err.code, X402_R_INVALID_VERSION) == 0 ?
		    X402_R_INVALID_VERSION : X402_R_INVALID_PAYLOAD;
		memcpy(v->message, err.message, sizeof(v->message) - 1);
		v->message[sizeof(v->message) - 1] = '\0';
		return err.status >= 500 ? -1 : 0;
	}
	if (pay->svm)
		return svm_x402_verify(pay, offers, noffers, v, svm);
	return x402_verify(pay, offers, noffers, now, v);
}

// An error the page explains in words.  code: a snake_case reason;
// rejected means the buyer said no in the wallet (nothing was paid).
export class WalletError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

-- Where each creator account is paid, per organization (issue 8). The
-- details (PayPal email, Wise bank account, Stripe account id) are JSON
-- encrypted with the server's secret key, which is never stored here:
-- `sealed` is "v1:" + base64(nonce || XChaCha20-Poly1305 ciphertext).
CREATE TABLE payout_details (
    org_id      BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES platform_accounts(id) ON DELETE CASCADE,
    method      TEXT NOT NULL CHECK (method IN ('paypal', 'wise', 'stripe')),
    sealed      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);

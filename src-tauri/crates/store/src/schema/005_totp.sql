-- The optional second factor: the user's TOTP secret (base32) and the last time step a
-- code was accepted for, so that no code is accepted twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

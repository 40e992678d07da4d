/** Where the account screens live (e-mail address, mobile number, password); the home screen's profile links here. */
export const ACCOUNT_BASE = '/app/account';

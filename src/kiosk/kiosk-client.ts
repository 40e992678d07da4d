/** The kiosk's OAuth client and scope: shared by the kiosk API guard and the token endpoint's DPoP policy. */
export const KIOSK_CLIENT_ID = 'pass-kiosk';
export const KIOSK_SCOPE = 'kiosk';

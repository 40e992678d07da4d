/** Where PASS Manager is mounted (its own module so sections can import it without a cycle). */
export const MANAGER_BASE = '/manager';

/**
 * Typed refusals of PASS Manager's management, analytics and shelter APIs: each reason's status
 * and the text the console shows are in the Manager's catalogue (src/manager/messages.ts).
 */
import { PassError } from '../../core/errors.ts';
import { MANAGER_REASONS, type ManagerReason } from '../messages.ts';

export type { ManagerReason };

export class ManagerRefusal extends PassError {
  constructor(reason: ManagerReason, details?: Record<string, unknown>, description?: string) {
    super(MANAGER_REASONS.code(reason), reason, description ?? MANAGER_REASONS.entry(reason).en, details, MANAGER_REASONS.status(reason));
  }
}

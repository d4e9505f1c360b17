// core/operatorRoles.ts — what an operator may be. Each role is allowed exactly the routes that
// name it (app/routeSpec.ts RouteSpec.roles); the table of who may do what is the route table.
//   admin    operators, draws (halts, resumes, voids), the room monitor with its actions
//   finance  payments: withdrawals and prizes held for review, money reports
//   auditor  their own seed commitments and reveals, the audit log, reports and exports
//   support  players (suspensions), risk alerts, the room monitor (read only)
export type OperatorRole = 'admin' | 'finance' | 'auditor' | 'support';
export const OPERATOR_ROLES: readonly OperatorRole[] = ['admin', 'finance', 'auditor', 'support'];

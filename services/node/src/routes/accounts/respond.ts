import type { FastifyReply } from 'fastify';
import type { NodeContext } from '../../context.ts';
import { setSessionCookie } from '../../people/session-auth.ts';
import { sessionInfo, type SessionRow } from '../../people/sessions.ts';
import type { UserRow } from '../../people/users.ts';

/** Sets the (new) session cookie and answers with the session as the console sees it. */
export async function withSession(reply: FastifyReply, ctx: NodeContext, user: UserRow, session: SessionRow, token?: string) {
  if (token) setSessionCookie(reply, token);
  reply.header('cache-control', 'no-store');
  return sessionInfo(ctx.db, ctx, user, session);
}

import type { Command } from './context';

export const jobCancel: Command<'job:cancel'> = async (ctx, { jobId }) => {
  const job = ctx.jobs.get(jobId);
  job?.abort();
  return { cancelled: job !== undefined };
};

import { v7 as uuidv7 } from 'uuid';

/** Time and ids come from here so tests can move the clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const newId = (): string => uuidv7();

export const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

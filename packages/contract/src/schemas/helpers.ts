/** Building blocks shared by the schema modules (not part of the public API). */
import { z } from 'zod';

export const unique = (items: readonly unknown[]) => new Set(items).size === items.length;
export const uniqueMessage = { message: 'items must be unique' };

export const dateTime = () => z.iso.datetime({ offset: true });
export const languageTag = () => z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/);

import { useEffect, useRef, type ReactNode } from 'react';
import { usePageTitle } from './usePageTitle.ts';

/** One page: its heading is its title, and focus moves to it on arrival so a screen reader announces it. */
export function Page({ title, children }: { title: string; children: ReactNode }) {
  usePageTitle(title);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [title]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}

import { useEffect, useState } from 'react';

/**
 * useDebounced gives value once it has stayed the same for ms, so typing in a
 * filter field sends one search, not one per key. Values are compared by
 * their JSON text; the first value is given at once.
 */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const t = setTimeout(() => {
      setSettled(JSON.parse(key) as T);
    }, ms);
    return () => {
      clearTimeout(t);
    };
  }, [key, ms]);
  return settled;
}

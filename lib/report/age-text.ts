/**
 * How long ago something was made, in the words `docker ps` uses for its
 * CREATED column (`Less than a second ago`, `3 minutes ago`, `About an hour
 * ago`, `2 days ago`), so a `bottle ls` beside a `docker ps` reads alike.
 * Coarse on purpose: a listing, not a timer (duration-text.ts is for those).
 * A time in the future (another host's clock) reads as just now.
 */

const SECOND = 1000;
const HOUR = 3600 * SECOND;

export function ageText(ms: number): string {
  return `${humanDuration(ms)} ago`;
}

function humanDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // Hours round to the nearest, as Docker's do: 1h40m is "2 hours".
  const hours = Math.floor(ms / HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / HOUR / 24 / 365)} years`;
}

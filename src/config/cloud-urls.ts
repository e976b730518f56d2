import { ORY_NETWORK_PROJECT_DOMAIN, ORY_NETWORK_SESSION_COOKIE_PREFIX } from './defaults.js';

/** Where a project lives on Ory Network; exactly one of `projectSlug` and `sdkUrl` is set. */
export interface CloudProjectLocation {
  readonly projectSlug?: string;
  readonly sdkUrl?: string;
  readonly customDomain?: string;
}

/** The concrete endpoints of an Ory Network project, as a self-hosted tenant would spell them. */
export interface CloudEndpoints {
  /** Browser-facing Kratos public API: the custom domain when there is one. */
  readonly kratosPublicUrl: string;
  /** Ory Network serves the admin APIs under `/admin/...` of the project URL itself. */
  readonly kratosAdminUrl: string;
  readonly ketoReadUrl: string;
  readonly ketoWriteUrl: string;
  /** `ory_session_<slug without hyphens>` when the slug is known, else undefined. */
  readonly sessionCookieName: string | undefined;
}

const PROJECT_HOST_SUFFIX = `.${ORY_NETWORK_PROJECT_DOMAIN}`;

/** `https://<slug>.projects.oryapis.com` for a slug. */
export function projectUrlForSlug(slug: string): string {
  return `https://${slug}${PROJECT_HOST_SUFFIX}`;
}

/** A custom domain may be written as a host (`auth.example.com`) or as a URL. */
export function customDomainUrl(customDomain: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(customDomain)
    ? customDomain
    : `https://${customDomain}`;
  return url.replace(/\/+$/, '');
}

function slugOf(location: CloudProjectLocation): string | undefined {
  if (location.projectSlug !== undefined) return location.projectSlug;
  if (location.sdkUrl === undefined || !URL.canParse(location.sdkUrl)) return undefined;
  const host = new URL(location.sdkUrl).hostname;
  return host.endsWith(PROJECT_HOST_SUFFIX)
    ? host.slice(0, -PROJECT_HOST_SUFFIX.length)
    : undefined;
}

/**
 * Derives Kratos and Keto URLs from an Ory Network project. One project URL serves Kratos public,
 * Kratos admin (`/admin/...`) and Keto read/write, so all four start from it; only the public URL
 * moves to the custom domain, because that is where the browser's session cookie lives.
 */
export function deriveCloudEndpoints(location: CloudProjectLocation): CloudEndpoints {
  const slug = slugOf(location);
  const projectUrl =
    location.sdkUrl !== undefined
      ? location.sdkUrl.replace(/\/+$/, '')
      : projectUrlForSlug(location.projectSlug ?? '');
  return {
    kratosPublicUrl:
      location.customDomain === undefined ? projectUrl : customDomainUrl(location.customDomain),
    kratosAdminUrl: projectUrl,
    ketoReadUrl: projectUrl,
    ketoWriteUrl: projectUrl,
    sessionCookieName:
      slug === undefined
        ? undefined
        : `${ORY_NETWORK_SESSION_COOKIE_PREFIX}${slug.replaceAll('-', '')}`,
  };
}

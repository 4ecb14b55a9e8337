/** Where a service of the local stack came from. */
export type ServiceOrigin = 'started' | 'found' | 'docker' | 'absent';

export interface ServiceStatus {
  name: string;
  address: string;
  origin: ServiceOrigin;
  healthy: boolean;
  detail?: string | undefined;
}

/** One service of the local stack; `up` is idempotent and returns once the service is ready. */
export interface StackService {
  readonly name: string;
  up(): Promise<ServiceStatus>;
  down(): Promise<string>;
  status(): Promise<ServiceStatus>;
}

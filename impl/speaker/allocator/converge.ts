// The controller's decision for one Service: which address its status should
// carry and which Event to record. Pure: it reads the Service, updates the
// Allocator's bookkeeping and returns the decision; the caller writes it.
import type { V1Service } from '@kubernetes/client-node';
import { AllocationError, type Allocator } from './allocator.ts';
import {
  allocationSpec, hasForeignClass, hasStatusIngress, isOurLoadBalancer, primaryFamily,
  requestedAddress, serviceKey, statusAddresses,
} from './service.ts';

export interface ServiceEvent {
  type: 'Normal' | 'Warning';
  reason: 'IPAllocated' | 'AllocationFailed';
  message: string;
}

export interface Decision {
  /** What status.loadBalancer.ingress should hold: [] clears it, undefined leaves it as it is. */
  addresses: string[] | undefined;
  event?: ServiceEvent;
  /** The Service wants an address and has none: try again when addresses free up or the config changes. */
  pending: boolean;
  /** Why an address the Service had was dropped, for the log. */
  note?: string;
}

export interface ConvergeOptions {
  /**
   * False during the start-up pass that only adopts the addresses Services
   * already carry, so that no new allocation can take an address that a
   * not-yet-adopted Service holds.
   */
  mayAllocate: boolean;
}

export function convergeService(allocator: Allocator, service: V1Service, options: ConvergeOptions): Decision {
  const key = serviceKey(service);
  if (hasForeignClass(service)) {
    allocator.release(key);
    return { addresses: undefined, pending: false };
  }
  const clear = hasStatusIngress(service) ? [] : undefined;
  if (!isOurLoadBalancer(service)) {
    allocator.release(key);
    return { addresses: clear, pending: false };
  }
  const failed = (message: string, keep?: string): Decision => ({
    addresses: keep !== undefined ? undefined : clear,
    event: { type: 'Warning', reason: 'AllocationFailed', message: `Failed to allocate IP for "${key}": ${message}` },
    pending: keep === undefined,
  });

  if (primaryFamily(service) === 'IPv6') {
    allocator.release(key);
    return failed('IPv6 Services are not supported by this load balancer (IPv4 only)');
  }
  const spec = allocationSpec(service);
  let requested: string | undefined;
  let current: string | undefined = statusAddresses(service)[0];
  try {
    requested = requestedAddress(service);
  } catch (error) {
    // An unreadable request does not take away an address the Service already uses.
    if (current !== undefined) {
      try {
        allocator.assign(key, current, spec);
        return failed((error as Error).message, current);
      } catch {
        // The current address is not valid either: fall through and clear it.
      }
    }
    allocator.release(key);
    return failed((error as Error).message);
  }

  let note: string | undefined;
  // The status address stays if the config and sharing rules still allow it and the Service still asks for it.
  if (current !== undefined) {
    try {
      allocator.assign(key, current, spec);
      if (requested !== undefined && requested !== current) {
        note = `requested address ${requested} differs from the assigned ${current}`;
        allocator.release(key);
        current = undefined;
      }
    } catch (error) {
      note = `assigned address ${current} dropped: ${(error as Error).message}`;
      allocator.release(key);
      current = undefined;
    }
  }
  // A status we wrote may not have reached our cache yet: the address we hold is still the answer.
  if (current === undefined) {
    const held = allocator.addressOf(key);
    if (held !== undefined && (requested === undefined || requested === held)) {
      try {
        allocator.assign(key, held, spec);
        current = held;
      } catch {
        allocator.release(key);
      }
    } else if (held !== undefined) {
      allocator.release(key);
    }
  }
  if (current !== undefined) return { addresses: [current], pending: false, ...(note ? { note } : {}) };

  if (!options.mayAllocate) return { addresses: undefined, pending: true, ...(note ? { note } : {}) };
  try {
    const address = requested !== undefined ? assignRequested(allocator, key, requested, spec) : allocator.allocate(key, spec);
    return {
      addresses: [address],
      event: { type: 'Normal', reason: 'IPAllocated', message: `Assigned IP ["${address}"]` },
      pending: false,
      ...(note ? { note } : {}),
    };
  } catch (error) {
    if (!(error instanceof AllocationError)) throw error;
    return { ...failed(error.message), ...(note ? { note } : {}) };
  }
}

function assignRequested(allocator: Allocator, key: string, address: string, spec: ReturnType<typeof allocationSpec>): string {
  allocator.assign(key, address, spec);
  return address;
}

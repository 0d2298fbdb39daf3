import { accessSync, constants } from 'node:fs';
import { AutotuneError } from '../errors.js';
import { ALLOCATOR_LIBRARIES, allocatorMissing, type Allocator, type Machine, type PreloadedAllocator } from '../domain/axes.js';

/**
 * The one probe of the filesystem for the allocators a worker can preload: which of their
 * libraries are installed here, and where. Installed libraries are a fact of the machine, like its
 * CPUs, so the axes see them through `Machine`.
 */

/** Debian's multiarch directory for each architecture Node runs on. */
const MULTIARCH: Partial<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
};

/** Where distributions put shared libraries: this architecture's multiarch directory first, then lib64 (Red Hat), lib, local. */
export function libraryDirs(arch: string = process.arch): string[] {
  const multiarch = MULTIARCH[arch];
  return [...(multiarch === undefined ? [] : [`/usr/lib/${multiarch}`]), '/usr/lib64', '/usr/lib', '/usr/local/lib'];
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Each preloadable allocator's library, by the first directory of `dirs` that holds it; absent where none does. */
export function findAllocators(dirs: readonly string[] = libraryDirs()): Machine['allocators'] {
  const found: Machine['allocators'] = {};
  for (const [allocator, { soname }] of Object.entries(ALLOCATOR_LIBRARIES) as Array<[PreloadedAllocator, { soname: string }]>) {
    const path = dirs.map((dir) => `${dir}/${soname}`).find(readable);
    if (path !== undefined) found[allocator] = path;
  }
  return found;
}

/**
 * The library a worker running `allocator` preloads: none for glibc's own malloc. One not installed
 * here (a study resumed on another machine, say) is refused in one line before any worker starts.
 */
export function allocatorPreload(allocator: Allocator, found: Machine['allocators'] = findAllocators()): string | null {
  if (allocator === 'glibc') return null;
  const path = found[allocator];
  if (path === undefined) throw new AutotuneError('usage', `allocator ${allocator} cannot run on this machine: ${allocatorMissing(allocator)}`);
  return path;
}

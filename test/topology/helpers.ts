import { fileURLToPath } from 'node:url';
import { parseCpuList } from '../../src/topology/cpulist.js';

/** Tests run compiled from dist/test/topology/; the fixture trees stay in the source tree. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function fixture(name: string): string {
  return `${repoRoot}test/fixtures/sysfs/${name}`;
}

/** `L('0-7,16-23')`: expected id lists written the way the kernel writes them. */
export const L = (list: string): number[] => parseCpuList(list);

export const GiB = 1024 ** 3;
export const KiB = 1024;

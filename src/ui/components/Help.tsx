import { Box, Text } from 'ink';

export function Help() {
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>keys</Text>
      <Text>q       stop gracefully: the current trial is cleaned up and saved; rerun the same command to resume</Text>
      <Text>Ctrl-C  same as q; press it again to abort at once</Text>
      <Text>?       show or hide this help</Text>
      <Text bold>marks</Text>
      <Text>plot    * Pareto front (TPS up, p99 down), B baseline, o other trials, --- the SLO</Text>
      <Text>table   CPU = cores busy while measuring; pin = placement verified against /proc</Text>
    </Box>
  );
}

// How execution providers are named to the person (main and the engine say cpu, cuda, dml, coreml).

const NAMES: Record<string, string> = {
  cpu: 'CPU',
  cuda: 'CUDA (NVIDIA)',
  dml: 'DirectML',
  coreml: 'Core ML',
  unavailable: 'Engine unavailable',
};

export const providerName = (provider: string): string => NAMES[provider] ?? provider;

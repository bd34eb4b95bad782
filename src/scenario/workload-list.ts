// A scenario names its workloads as `workload` (one) or `workloads` (a list); this is the one place
// that turns either form into the list.

/** The scenario's workloads as one list (empty when it has none). */
export function workloadList<W>(scenario: { workload?: W | undefined; workloads?: W[] | undefined }): W[] {
  return scenario.workloads ?? (scenario.workload === undefined ? [] : [scenario.workload]);
}

import dagre from '@dagrejs/dagre';

export interface LaidOutNode {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutGraph {
  nodes: LaidOutNode[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

const NODE = { width: 180, height: 56 };

/** Left-to-right layered layout of a plan's task graph (dagre: Sugiyama-style ranks). */
export function layoutPlan(tasks: { key: string; dependsOn: string[] }[]): LaidOutGraph {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 60, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const task of tasks) graph.setNode(task.key, { ...NODE });
  for (const task of tasks) {
    for (const dependency of task.dependsOn) graph.setEdge(dependency, task.key);
  }
  dagre.layout(graph);
  const size = graph.graph();
  return {
    nodes: tasks.map((task) => {
      const node = graph.node(task.key);
      return { key: task.key, x: node.x - NODE.width / 2, y: node.y - NODE.height / 2, ...NODE };
    }),
    edges: graph.edges().map((edge) => ({
      from: edge.v,
      to: edge.w,
      points: graph.edge(edge).points ?? [],
    })),
    width: size.width ?? 0,
    height: size.height ?? 0,
  };
}

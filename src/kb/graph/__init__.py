"""The knowledge graph wing: pages' front matter, the typed graph, its layout and its exports."""

from kb.graph.model import Connection, Edge, Graph, Node
from kb.graph.reading import load
from kb.graph.relations import build

__all__ = ["Connection", "Edge", "Graph", "Node", "build", "load"]

"""The Elasticsearch store: every document and the alert state live in the cluster, so
workers on many machines share them."""

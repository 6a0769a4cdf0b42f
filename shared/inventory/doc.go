// Package inventory is the ceplus model of what an endpoint reports: device facts with the CE+
// build key, installed packages with exact versions, the updates the system itself knows are
// pending, installed updates and applications, and the status of each source that contributed.
// Sources fill a Result each; the agent merges them into one Inventory, whose ContentHash lets
// identical hosts share matching work.
package inventory

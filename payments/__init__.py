"""Payment providers (Adyen and a local simulation) behind one interface."""

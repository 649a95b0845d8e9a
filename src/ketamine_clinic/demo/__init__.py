"""The demo clinic (`make demo`) and the synthetic networks the load benchmark builds; both
make their records through the apps' actions, as staff would."""

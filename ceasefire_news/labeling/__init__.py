"""Label Studio for ceasefire-news: config, tasks, push, pull, import, integrity, agreement."""

{
  "targets": [
    {
      "target_name": "affinity",
      "sources": ["native/affinity.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api"],
      "cflags_cc": ["-Wall", "-Wextra"]
    },
    {
      "target_name": "autotune-launch",
      "type": "executable",
      "sources": ["native/launcher.c"],
      "cflags_c": ["-std=c11", "-Wall", "-Wextra"]
    }
  ]
}

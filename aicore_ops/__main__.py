from aicore_ops.cli import main

main()

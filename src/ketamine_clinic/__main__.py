from ketamine_clinic.cli import main

main()

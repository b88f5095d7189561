"""What a person sees in a terminal, for the command line and the catalog explorer alike: styles
and colours, the output formats (json, table, ids), and prompts. It knows no layer above api."""

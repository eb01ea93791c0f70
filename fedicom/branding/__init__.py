"""The brand's look: the site's name, logo, favicon, accent colours, footer links and stylesheet, and each
community's accent colour, checked for contrast before a page ever shows them."""

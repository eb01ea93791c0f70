"""The community's own voice: staff members publish posts, replies and polls, edit and delete them."""

<?php
/*
 * Prints the site's RSS feed (what /feed/ serves): an RSS file without WordPress's export
 * namespace, the kind of file someone uploads to an importer by mistake.
 */

$_SERVER['REQUEST_URI'] = '/feed/';
require __DIR__ . '/bootstrap.php';

// Three items keep the file small.
add_filter( 'option_posts_per_rss', fn() => 3 );

wp();
ob_start();
do_feed_rss2( false );
echo ob_get_clean();

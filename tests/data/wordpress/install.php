<?php
/*
 * Installs WordPress into the (empty) fixture database, as wp-admin/install.php would, then
 * removes the sample content WordPress adds (its post, page, comment and privacy page draft),
 * so the site holds only what make_site.php writes. The "Uncategorized" category stays: every
 * real site has it.
 */

define( 'WPFIXTURE_INSTALLING', true );
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$result = wp_install( 'The Meridian Review', 'mhartwell', 'mara.hartwell@example.org', true, '', wp_generate_password( 24 ), 'en_US' );
if ( is_wp_error( $result ) ) {
	fwrite( STDERR, $result->get_error_message() . "\n" );
	exit( 1 );
}

foreach ( get_posts( array( 'post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1 ) ) as $sample ) {
	wp_delete_post( $sample->ID, true );
}
foreach ( get_comments( array( 'status' => 'all' ) ) as $sample_comment ) {
	wp_delete_comment( $sample_comment->comment_ID, true );
}
update_option( 'wp_page_for_privacy_policy', 0 );

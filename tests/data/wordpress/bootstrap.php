<?php
/*
 * Loads Debian's WordPress (the `wordpress` package) from the command line for the fixture
 * scripts beside this file, without a web server and without /etc/wordpress.
 *
 * It defines what a wp-config.php would and then requires wp-settings.php, the file every
 * wp-config.php ends with. Settings come from the environment:
 *   WP_FIXTURE_CONTENT_DIR  a scratch wp-content folder (required; uploads land in it)
 *   WP_FIXTURE_WORDPRESS    WordPress's files (default: /usr/share/wordpress, the package's place)
 *   WP_FIXTURE_DB_NAME / _HOST / _USER / _PASSWORD  (default: wordpress_fixture at 127.0.0.1, root)
 */

if ( PHP_SAPI !== 'cli' ) {
	exit( 1 );
}

// WordPress prints notices to the output by default; the export goes to stdout.
ini_set( 'display_errors', 'stderr' );

$wpfixture_content_dir = getenv( 'WP_FIXTURE_CONTENT_DIR' );
if ( ! $wpfixture_content_dir || ! is_dir( $wpfixture_content_dir ) ) {
	fwrite( STDERR, "WP_FIXTURE_CONTENT_DIR must name an existing folder\n" );
	exit( 2 );
}

function wpfixture_env( $name, $default ) {
	$value = getenv( $name );
	return false === $value ? $default : $value;
}

// The old site's address: the export's links and attachment URLs carry it.
const WPFIXTURE_SITE_URL = 'https://old.example.org';

define( 'ABSPATH', rtrim( wpfixture_env( 'WP_FIXTURE_WORDPRESS', '/usr/share/wordpress' ), '/' ) . '/' );
define( 'DB_NAME', wpfixture_env( 'WP_FIXTURE_DB_NAME', 'wordpress_fixture' ) );
define( 'DB_HOST', wpfixture_env( 'WP_FIXTURE_DB_HOST', '127.0.0.1' ) );
define( 'DB_USER', wpfixture_env( 'WP_FIXTURE_DB_USER', 'root' ) );
define( 'DB_PASSWORD', wpfixture_env( 'WP_FIXTURE_DB_PASSWORD', '' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_CONTENT_DIR', rtrim( $wpfixture_content_dir, '/' ) );
define( 'WP_CONTENT_URL', WPFIXTURE_SITE_URL . '/wp-content' );
define( 'WP_HOME', WPFIXTURE_SITE_URL );
define( 'WP_SITEURL', WPFIXTURE_SITE_URL );
define( 'WP_DEBUG', false );
// The site's address is not ours: WordPress must not call it (cron spawns) or anything else.
define( 'DISABLE_WP_CRON', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
// Keys only sign cookies, which nobody uses here.
foreach ( array( 'AUTH', 'SECURE_AUTH', 'LOGGED_IN', 'NONCE' ) as $wpfixture_key ) {
	define( $wpfixture_key . '_KEY', 'fixture-' . strtolower( $wpfixture_key ) . '-key' );
	define( $wpfixture_key . '_SALT', 'fixture-' . strtolower( $wpfixture_key ) . '-salt' );
}
$table_prefix = 'wp_';

$_SERVER['HTTP_HOST']       = 'old.example.org';
$_SERVER['SERVER_NAME']     = 'old.example.org';
$_SERVER['HTTPS']           = 'on';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

// Pluggable: no mail leaves this machine (wp_install would send the admin a welcome mail).
function wp_mail( $to, $subject, $message, $headers = '', $attachments = array() ) {
	return true;
}

// A magazine's custom post type, so the export holds an item an importer has to skip.
// It must be registered in every run: export_wp() only exports registered types.
function wpfixture_register_types() {
	register_post_type(
		'briefing',
		array(
			'label'        => 'Briefings',
			'public'       => true,
			'has_archive'  => true,
			'supports'     => array( 'title', 'editor', 'author', 'excerpt' ),
			'show_in_rest' => true,
		)
	);
}
if ( defined( 'WPFIXTURE_INSTALLING' ) ) {
	define( 'WP_INSTALLING', true );
}

require ABSPATH . 'wp-settings.php';

wpfixture_register_types();

<?php
/*
 * Prints the whole site as WordPress's own export (Tools > Export > All content) would.
 */

require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/export.php';

ob_start();
export_wp( array( 'content' => 'all' ) );
echo ob_get_clean();

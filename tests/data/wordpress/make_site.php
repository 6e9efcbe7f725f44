<?php
/*
 * Fills a freshly installed WordPress (install.php) with a small magazine, through WordPress's
 * own PHP API only, so that export.php writes the export a real site would.
 *
 * Longer than the project's 300 lines: it is mostly the site's text, kept in one place so the
 * README's table can be checked against one file.
 *
 * Writes WP_CONTENT_DIR/missing-files.txt: the uploads-relative paths that make_export.sh deletes
 * from the copied uploads (one post's featured image, so an importer meets a missing file).
 */

require __DIR__ . '/bootstrap.php';
require __DIR__ . '/images.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

function wpfixture_fail( $what, $error ) {
	fwrite( STDERR, $what . ': ' . ( is_wp_error( $error ) ? $error->get_error_message() : 'failed' ) . "\n" );
	exit( 1 );
}

// --- Block markup, serialised as WordPress 6.1's block editor saves it --------------------

function wpfixture_block( $name, $attrs, $html ) {
	$json = $attrs ? ' ' . wp_json_encode( $attrs, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) : '';
	return "<!-- wp:$name$json -->\n$html\n<!-- /wp:$name -->";
}

function wpfixture_blocks( ...$blocks ) {
	return implode( "\n\n", $blocks );
}

function wpfixture_p( $html ) {
	return wpfixture_block( 'paragraph', null, "<p>$html</p>" );
}

function wpfixture_h( $text, $level = 2 ) {
	return wpfixture_block( 'heading', 2 === $level ? null : array( 'level' => $level ), "<h$level>$text</h$level>" );
}

function wpfixture_list( array $items, $ordered = false ) {
	$tag   = $ordered ? 'ol' : 'ul';
	$inner = array();
	foreach ( $items as $item ) {
		$inner[] = wpfixture_block( 'list-item', null, "<li>$item</li>" );
	}
	return wpfixture_block( 'list', $ordered ? array( 'ordered' => true ) : null, "<$tag>" . implode( "\n\n", $inner ) . "</$tag>" );
}

function wpfixture_quote( array $paragraphs, $cite ) {
	$inner = implode( "\n\n", array_map( 'wpfixture_p', $paragraphs ) );
	return wpfixture_block( 'quote', null, '<blockquote class="wp-block-quote">' . $inner . "<cite>$cite</cite></blockquote>" );
}

function wpfixture_image_block( $id, $size = 'large', $caption = '' ) {
	$src  = wp_get_attachment_image_src( $id, $size )[0];
	$alt  = esc_attr( get_post_meta( $id, '_wp_attachment_image_alt', true ) );
	$html = "<figure class=\"wp-block-image size-$size\"><img src=\"$src\" alt=\"$alt\" class=\"wp-image-$id\"/>";
	if ( $caption ) {
		$html .= "<figcaption class=\"wp-element-caption\">$caption</figcaption>";
	}
	$attrs = array(
		'id'              => $id,
		'sizeSlug'        => $size,
		'linkDestination' => 'none',
	);
	return wpfixture_block( 'image', $attrs, $html . '</figure>' );
}

function wpfixture_gallery_block( array $images, $caption ) {
	$inner = array();
	foreach ( $images as $id => $image_caption ) {
		$inner[] = wpfixture_image_block( $id, 'large', $image_caption );
	}
	$html = '<figure class="wp-block-gallery has-nested-images columns-default is-cropped">' . implode( "\n\n", $inner )
		. "<figcaption class=\"blocks-gallery-caption wp-element-caption\">$caption</figcaption></figure>";
	return wpfixture_block( 'gallery', array( 'linkTo' => 'none' ), $html );
}

function wpfixture_youtube_block( $url ) {
	$attrs = array(
		'url'              => $url,
		'type'             => 'video',
		'providerNameSlug' => 'youtube',
		'responsive'       => true,
		'className'        => 'wp-embed-aspect-16-9 wp-has-aspect-ratio',
	);
	$html  = '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio">'
		. "<div class=\"wp-block-embed__wrapper\">\n$url\n</div></figure>";
	return wpfixture_block( 'embed', $attrs, $html );
}

function wpfixture_table_block( array $head, array $rows, $caption ) {
	$cells = function ( $tag, $row ) {
		return '<tr>' . implode( '', array_map( fn( $cell ) => "<$tag>$cell</$tag>", $row ) ) . '</tr>';
	};
	$html  = '<figure class="wp-block-table"><table><thead>' . $cells( 'th', $head ) . '</thead><tbody>';
	$html .= implode( '', array_map( fn( $row ) => $cells( 'td', $row ), $rows ) );
	$html .= "</tbody></table><figcaption class=\"wp-element-caption\">$caption</figcaption></figure>";
	return wpfixture_block( 'table', null, $html );
}

function wpfixture_separator() {
	return wpfixture_block( 'separator', null, '<hr class="wp-block-separator has-alpha-channel-opacity"/>' );
}

// --- Content through WordPress's API -------------------------------------------------------

function wpfixture_insert_post( array $fields ) {
	$id = wp_insert_post( wp_slash( $fields ), true );
	if ( is_wp_error( $id ) ) {
		wpfixture_fail( $fields['post_title'], $id );
	}
	return $id;
}

// Draws a picture into the uploads folder of $month ('yyyy/mm') and registers it, so that
// WordPress writes its size variants and metadata as an upload through the media screen would.
function wpfixture_attach( $draw, $name, $month, array $fields, $alt = '' ) {
	$uploads = wp_upload_dir( $month );
	$path    = $uploads['path'] . '/' . $name;
	$draw( $path );
	$fields += array(
		'post_mime_type' => wp_check_filetype( $name )['type'],
		'post_status'    => 'inherit',
		'guid'           => $uploads['url'] . '/' . $name,
		'post_content'   => '',
		'post_excerpt'   => '',
	);
	$id = wp_insert_attachment( wp_slash( $fields ), $path, 0, true );
	if ( is_wp_error( $id ) ) {
		wpfixture_fail( $name, $id );
	}
	wp_update_attachment_metadata( $id, wp_generate_attachment_metadata( $id, $path ) );
	if ( $alt ) {
		update_post_meta( $id, '_wp_attachment_image_alt', wp_slash( $alt ) );
	}
	return $id;
}

// What Media > Attach does: it sets the parent with one UPDATE, leaving dates alone.
function wpfixture_attach_to( $post_id, array $attachment_ids ) {
	global $wpdb;
	foreach ( $attachment_ids as $id ) {
		$wpdb->update( $wpdb->posts, array( 'post_parent' => $post_id ), array( 'ID' => $id ) );
		clean_post_cache( $id );
	}
}

function wpfixture_comment( $post_id, $date, array $fields ) {
	$fields += array(
		'comment_post_ID'  => $post_id,
		'comment_date'     => $date,
		'comment_date_gmt' => get_gmt_from_date( $date ),
		'comment_approved' => 1,
		'comment_agent'    => 'Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
	);
	$id = wp_insert_comment( wp_slash( $fields ) );
	if ( ! $id ) {
		wpfixture_fail( 'comment on ' . $post_id, null );
	}
	return $id;
}

// --- Settings --------------------------------------------------------------------------------

update_option( 'blogdescription', 'Notes on a crowded world' );
update_option( 'timezone_string', 'Europe/Berlin' );
update_option( 'gmt_offset', '' );
update_option( 'posts_per_page', 10 );
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%year%/%monthnum%/%postname%/' );
flush_rewrite_rules( false );

// --- People ----------------------------------------------------------------------------------

$mara = get_user_by( 'login', 'mhartwell' )->ID;
wp_update_user(
	wp_slash(
		array(
			'ID'           => $mara,
			'first_name'   => 'Mara',
			'last_name'    => 'Hartwell',
			'nickname'     => 'Mara',
			'display_name' => 'Mara Hartwell',
			'user_url'     => 'https://old.example.org/about/masthead/',
			'description'  => 'Mara Hartwell edits The Meridian Review. She spent twelve years on a wire service desk and still reads every treaty annex twice.',
		)
	)
);
// She edits and publishes: as the current user her block markup is stored as written.
wp_set_current_user( $mara );

$authors = array();
foreach (
	array(
		array( 'jokafor', 'Joel', 'Okafor-Lind', 'Joel Okafor-Lind', 'author', 'Joel Okafor-Lind covers shipping, ports and the trade in food. He files from wherever the ships are late.' ),
		array( 'imarangoni', 'Inès', 'Marangoni', 'Inès Marangoni', 'author', 'Inès Marangoni writes about sanctions and the economics of pressure. Before journalism she audited customs data.' ),
	) as $person
) {
	$id = wp_insert_user(
		wp_slash(
			array(
				'user_login'   => $person[0],
				'user_pass'    => wp_generate_password( 24 ),
				'user_email'   => $person[0] . '@example.org',
				'first_name'   => $person[1],
				'last_name'    => $person[2],
				'nickname'     => $person[1],
				'display_name' => $person[3],
				'role'         => $person[4],
				'description'  => $person[5],
			)
		)
	);
	if ( is_wp_error( $id ) ) {
		wpfixture_fail( $person[0], $id );
	}
	$authors[ $person[0] ] = $id;
}
$joel = $authors['jokafor'];
$ines = $authors['imarangoni'];

// --- Taxonomy --------------------------------------------------------------------------------

function wpfixture_term( $name, $taxonomy, array $args = array() ) {
	$term = wp_insert_term( $name, $taxonomy, $args );
	if ( is_wp_error( $term ) ) {
		wpfixture_fail( $name, $term );
	}
	return $term['term_id'];
}

$world   = wpfixture_term( 'World', 'category', array( 'description' => 'Reporting from beyond our own borders.' ) );
$europe  = wpfixture_term( 'Europe', 'category', array( 'parent' => $world, 'description' => 'The continent, its unions and its quarrels.' ) );
$polar   = wpfixture_term( 'Polar regions', 'category', array( 'parent' => $world, 'slug' => 'polar' ) );
$economy = wpfixture_term( 'Economy', 'category', array( 'description' => 'Trade, money and the price of pressure.' ) );
wpfixture_term( 'Ports & Shipping', 'post_tag', array( 'description' => 'Harbours, routes & the ships between them.' ) );

// --- Pictures --------------------------------------------------------------------------------

$harbour = wpfixture_attach(
	'wpfixture_draw_harbour',
	'harbour-dusk.jpg',
	'2024/03',
	array(
		'post_title'   => 'Harbour at dusk',
		'post_excerpt' => 'Cranes over the eastern quay at Port Aubry. Illustration: The Meridian Review',
		'post_content' => 'Drawn for the Harbour Accord anniversary piece.',
		'post_author'  => $mara,
		'post_date'    => '2024-03-04 08:40:00',
	),
	'Three harbour cranes and a loaded ship silhouetted against an orange evening sky'
);
$field   = wpfixture_attach(
	'wpfixture_draw_field',
	'wheat-rows.jpg',
	'2024/03',
	array(
		'post_title'   => 'Wheat rows',
		'post_excerpt' => 'The last harvest before the corridor opened.',
		'post_author'  => $joel,
		'post_date'    => '2024-03-18 07:55:00',
	),
	'Rows of ripe wheat running to the horizon under a pale sky'
);
$ship    = wpfixture_attach(
	'wpfixture_draw_ship',
	'bulk-carrier.jpg',
	'2024/03',
	array(
		'post_title'  => 'Bulk carrier',
		'post_author' => $joel,
		'post_date'   => '2024-03-18 07:56:00',
	)
	// No alt text: editors forget it, and an importer must cope.
);
$silos   = wpfixture_attach(
	'wpfixture_draw_silos',
	'silos.jpg',
	'2024/03',
	array(
		'post_title'   => 'Silos',
		'post_excerpt' => 'Storage at the inland terminal, half full in March.',
		'post_author'  => $joel,
		'post_date'    => '2024-03-18 07:57:00',
	),
	'Three grey grain silos with domed roofs'
);
$chart   = wpfixture_attach(
	'wpfixture_draw_chart',
	'sanctions-chart.png',
	'2024/04',
	array(
		'post_title'   => 'Sanctions chart',
		'post_excerpt' => 'Export volumes before and after each round of measures (illustrative).',
		'post_author'  => $ines,
		'post_date'    => '2024-04-02 09:10:00',
	),
	'Bar chart: five bars, falling from left to right'
);
$map     = wpfixture_attach(
	'wpfixture_draw_map',
	'coast-map.png',
	'2024/04',
	array(
		'post_title'  => 'Coast map',
		'post_author' => $ines,
		'post_date'   => '2024-04-02 09:12:00',
	),
	'Map of an invented coastline with three towns and a dashed border'
);
$summit  = wpfixture_attach(
	'wpfixture_draw_table',
	'round-table.jpg',
	'2024/04',
	array(
		'post_title'   => 'Round table',
		'post_excerpt' => 'Ten delegations, one table, no agenda.',
		'post_author'  => $joel,
		'post_date'    => '2024-04-22 11:00:00',
	),
	'A round conference table seen from above, ten chairs and papers around it'
);
$logo    = wpfixture_attach(
	'wpfixture_draw_logo',
	'meridian-mark.png',
	'2024/02',
	array(
		'post_title'  => 'The Meridian Review mark',
		'post_author' => $mara,
		'post_date'   => '2024-02-01 09:00:00',
	),
	'The Meridian Review'
);

// --- A reusable block, used inside one post --------------------------------------------------

$signup_block = wpfixture_insert_post(
	array(
		'post_type'    => 'wp_block',
		'post_status'  => 'publish',
		'post_title'   => 'Newsletter note',
		'post_author'  => $mara,
		'post_date'    => '2024-03-01 12:00:00',
		'post_content' => wpfixture_p( '<em>The Meridian Review</em> sends one letter a week. It is free, and it is short.' ),
	)
);

// --- Posts -----------------------------------------------------------------------------------

$accord_url = 'https://old.example.org/2024/03/harbour-accord-one-year/';

$accord = wpfixture_insert_post(
	array(
		'post_title'   => 'The Harbour Accord, one year on',
		'post_name'    => 'harbour-accord-one-year',
		'post_status'  => 'publish',
		'post_author'  => $mara,
		'post_date'    => '2024-03-04 10:15:00',
		'post_excerpt' => 'A year after Valdoria and the Kestrel Islands signed away their quarrel over Port Aubry, the cranes are busy and the lawyers are not.',
		'post_category' => array( $world, $europe ),
		'tags_input'   => array( 'diplomacy', 'Ports & Shipping' ),
		'post_content' => wpfixture_blocks(
			wpfixture_p( 'Twelve months ago the foreign ministers of Valdoria and the Kestrel Islands signed the <strong>Harbour Accord</strong> on a borrowed ferry, halfway between their coasts. Few people expected it to survive its first winter.<sup><a href="#note-1" id="ref-1">1</a></sup>' ),
			wpfixture_h( 'What the accord promised' ),
			wpfixture_list(
				array(
					'Joint management of Port Aubry\'s eastern quay',
					'A shared customs office with <em>one</em> stamp instead of two',
					'An arbitration panel that meets only when asked',
				)
			),
			wpfixture_image_block( $harbour, 'large', 'Cranes over the eastern quay. Illustration: The Meridian Review' ),
			wpfixture_h( 'What happened instead', 3 ),
			wpfixture_p( 'Traffic through the quay rose by a third. The arbitration panel has not met once, which its members describe, with some relief, as the point.<sup><a href="#note-2" id="ref-2">2</a></sup>' ),
			wpfixture_quote( array( 'Nobody celebrates a border that has become boring. That is how you know it worked.' ), 'A Kestrel customs officer, speaking on condition of anonymity' ),
			wpfixture_p( 'Read our <a href="https://old.example.org/2024/04/why-sanctions-rarely-work-alone/">piece on sanctions</a> for the other side of the ledger, or the treaty text at <a href="https://treaties.example.net/harbour-accord">the depositary\'s site</a>.' ),
			wpfixture_separator(),
			wpfixture_block( 'paragraph', array( 'fontSize' => 'small' ), '<p class="has-small-font-size" id="note-1"><sup>1</sup> The ferry was later renamed <em>Concord</em>.</p>' ),
			wpfixture_block( 'paragraph', array( 'fontSize' => 'small' ), '<p class="has-small-font-size" id="note-2"><sup>2</sup> Figures from the port authority\'s annual report.</p>' )
		),
	)
);
set_post_thumbnail( $accord, $harbour );
stick_post( $accord );

$corridor = wpfixture_insert_post(
	array(
		'post_title'    => 'Notes from the grain corridor: ports & patience',
		'post_status'   => 'publish',
		'post_author'   => $joel,
		'post_date'     => '2024-03-18 08:30:00',
		'post_category' => array( $economy ),
		'tags_input'    => array( 'grain', 'trade', 'Ports & Shipping' ),
		'post_content'  => wpfixture_blocks(
			wpfixture_p( 'The corridor is a line on a chart and a promise between three governments. On the water it is a queue.' ),
			wpfixture_gallery_block(
				array(
					$field => 'Inland, the wheat is in.',
					$ship  => '',
					$silos => 'Storage at the terminal.',
				),
				'From field to ship in three pictures.'
			),
			wpfixture_h( 'Waiting times' ),
			wpfixture_table_block(
				array( 'Month', 'Ships waiting', 'Median wait (days)' ),
				array( array( 'January', '41', '9' ), array( 'February', '36', '7' ), array( 'March', '22', '4' ) ),
				'Invented figures for a fictional corridor.'
			),
			wpfixture_p( 'The harbour master recorded a short video of the morning convoy:' ),
			wpfixture_youtube_block( 'https://www.youtube.com/watch?v=Qm4tXw2pL9s' ),
			wpfixture_list( array( 'Inspections moved ashore', 'Night loading allowed', 'Insurance caps agreed' ), true ),
			'<!-- wp:block {"ref":' . $signup_block . '} /-->'
		),
	)
);
set_post_thumbnail( $corridor, $field );
wpfixture_attach_to( $corridor, array( $field, $ship, $silos ) );
wpfixture_attach_to( $accord, array( $harbour ) );

// Classic editor posts store paragraphs as blank lines, not <p> tags (wpautop adds them on display).
$map_small = wp_get_attachment_image_src( $map, 'medium' );
$sanctions = wpfixture_insert_post(
	array(
		'post_title'    => 'Why sanctions rarely work alone',
		'post_status'   => 'publish',
		'post_author'   => $ines,
		'post_date'     => '2024-04-02 09:30:00',
		'post_category' => array( $economy, $world ),
		'tags_input'    => array( 'sanctions', 'trade' ),
		'post_content'  => 'Sanctions are the tool governments reach for when a speech is too little and a gunboat too much. They are also, on the record, <em>disappointing</em> when used on their own.

<!--more-->

<h2>Leaks at the edges</h2>
Every embargo has a neighbour. When Valdoria restricted fuel exports to the Kestrel Islands in our invented example, trade simply moved one port&nbsp;north.

[caption id="attachment_' . $map . '" align="alignright" width="' . $map_small[1] . '"]<img class="size-medium wp-image-' . $map . '" src="' . $map_small[0] . '" alt="Map of an invented coastline with three towns and a dashed border" width="' . $map_small[1] . '" height="' . $map_small[2] . '" /> The coast where the fuel went instead.[/caption]

What tends to work better:
<ul>
 	<li>measures agreed with the neighbours first,</li>
 	<li>a clear condition for lifting them,</li>
 	<li>and <strong>patience</strong> measured in years.</li>
</ul>
A ministry official explained the problem in a recorded talk:

[embed]https://www.youtube.com/watch?v=Vb7nK2sYq0e[/embed]

See also <a href="' . $accord_url . '">The Harbour Accord, one year on</a>.',
	)
);
set_post_thumbnail( $sanctions, $chart );
wpfixture_attach_to( $sanctions, array( $chart, $map ) );

$forum = wpfixture_insert_post(
	array(
		'post_title'    => 'A quiet week at the Polar Forum',
		'post_status'   => 'publish',
		'post_author'   => $joel,
		'post_date'     => '2024-04-22 12:00:00',
		'post_category' => array( $polar ),
		'tags_input'    => array( 'diplomacy', 'polar' ),
		'post_content'  => 'Ten delegations met in a hotel by the fjord and agreed on almost nothing, which at the Polar Forum counts as a good week.

The pictures from the grain corridor piece came up again, because two delegations want the same ships to sail north in summer:

[gallery columns="2" link="file" size="medium" ids="' . "$field,$ship,$silos" . '"]

The forum\'s chair summed up the week on video:

https://www.youtube.com/watch?v=Hs3dL8uRk1w

And a delegate\'s post afterwards:

https://x.com/meridianreview/status/1782345678901234567

Next year\'s meeting moves to the islands.',
	)
);
set_post_thumbnail( $forum, $summit );
wpfixture_attach_to( $forum, array( $summit ) );

// Its slug is what the title of the Harbour Accord piece would slugify to.
wpfixture_insert_post(
	array(
		'post_title'    => 'Reading list: the Harbour Accord',
		'post_name'     => 'the-harbour-accord-one-year-on',
		'post_status'   => 'publish',
		'post_author'   => $mara,
		'post_date'     => '2024-05-06 09:00:00',
		'post_category' => array( $europe ),
		'tags_input'    => array( 'diplomacy' ),
		'post_content'  => wpfixture_blocks(
			wpfixture_p( 'Five things to read before the accord\'s second year, chosen by the desk.' ),
			wpfixture_list(
				array(
					'<a href="' . $accord_url . '">Our anniversary piece</a>',
					'The port authority\'s annual report',
					'The arbitration panel\'s rules of procedure (all four pages)',
					'A ferry captain\'s memoir, in Kestrel only',
					'The treaty itself',
				),
				true
			)
		),
	)
);

// The same title again: WordPress gives it the slug why-sanctions-rarely-work-alone-2.
wpfixture_insert_post(
	array(
		'post_title'    => 'Why sanctions rarely work alone',
		'post_status'   => 'publish',
		'post_author'   => $ines,
		'post_date'     => '2024-05-13 09:00:00',
		'post_category' => array( $economy ),
		'tags_input'    => array( 'sanctions' ),
		'post_content'  => wpfixture_blocks(
			wpfixture_p( 'Readers asked for the sequel. Here it is, under the same title, because the argument has not changed: pressure needs partners.' ),
			wpfixture_p( 'Three letters arrived after the first piece. Two agreed. The third came from a customs broker and was the most useful.' )
		),
	)
);

wpfixture_insert_post(
	array(
		'post_title'    => 'Ökonomie der Sanktionen: eine Zwischenbilanz aus Brüssel',
		'post_status'   => 'publish',
		'post_author'   => $ines,
		'post_date'     => '2024-05-20 09:00:00',
		'post_category' => array( $europe, $economy ),
		'tags_input'    => array( 'sanctions' ),
		'post_content'  => wpfixture_blocks(
			wpfixture_p( 'Eine kurze Übersicht für unsere deutschsprachigen Leserinnen und Leser: Die Maßnahmen gegen Valdoria wirken langsamer als erhofft, aber sie wirken.' ),
			wpfixture_p( '„Geduld ist keine Strategie“, sagt eine Diplomatin, „aber ohne Geduld gibt es keine.“' )
		),
	)
);

wpfixture_insert_post(
	array(
		'post_title'    => 'Дипломатія зерна',
		'post_status'   => 'publish',
		'post_author'   => $joel,
		'post_date'     => '2024-05-27 09:00:00',
		'post_category' => array( $economy ),
		'tags_input'    => array( 'grain' ),
		'post_content'  => wpfixture_blocks(
			wpfixture_p( 'Короткий огляд переговорів про зерновий коридор для наших читачів українською мовою.' ),
			wpfixture_p( 'Усі назви та події в цьому тексті вигадані.' )
		),
	)
);

wpfixture_insert_post(
	array(
		'post_title'    => 'Members\' briefing: the border talks',
		'post_status'   => 'publish',
		'post_password' => 'meridian',
		'post_author'   => $mara,
		'post_date'     => '2024-06-03 09:00:00',
		'post_category' => array( $world ),
		'post_content'  => wpfixture_p( 'This briefing is for members. The talks resume in September; both sides have named new negotiators.' ),
	)
);

wpfixture_insert_post(
	array(
		'post_title'    => 'Preview: the autumn summit season',
		'post_status'   => 'future',
		'post_author'   => $joel,
		'post_date'     => '2035-09-01 08:00:00',
		'post_category' => array( $world ),
		'tags_input'    => array( 'diplomacy' ),
		'post_content'  => wpfixture_blocks(
			wpfixture_h( 'Three summits, one fortnight' ),
			wpfixture_p( 'September crowds the calendar. Here is what to watch and what to ignore.' )
		),
	)
);

wpfixture_insert_post(
	array(
		'post_title'    => 'Energy prices and the coming winter',
		'post_status'   => 'draft',
		'post_author'   => $ines,
		'post_date'     => '2024-06-10 16:00:00',
		'post_category' => array( $economy ),
		'post_content'  => wpfixture_p( 'Unfinished: check the storage figures before this goes anywhere.' ),
	)
);

wpfixture_insert_post(
	array(
		'post_title'    => 'A letter from the islands',
		'post_status'   => 'pending',
		'post_author'   => $joel,
		'post_date'     => '2024-06-11 10:00:00',
		'post_category' => array( $world ),
		'post_content'  => 'Dear editors,

the ferry still runs on Tuesdays. Everything else has changed.

Yours from the quay.',
	)
);

wpfixture_insert_post(
	array(
		'post_title'    => 'Editorial notes on sourcing',
		'post_status'   => 'private',
		'post_author'   => $mara,
		'post_date'     => '2024-06-12 09:00:00',
		// The code block holds "]]>", which the export must split across two CDATA sections.
		'post_content'  => wpfixture_blocks(
			wpfixture_p( 'Internal: two named sources for every figure about the corridor. No exceptions this quarter.' ),
			wpfixture_block( 'code', null, '<pre class="wp-block-code"><code>sources&#91;figure&#91;1]]>=2</code></pre>' )
		),
	)
);

$forecast = wpfixture_insert_post(
	array(
		'post_title'    => 'An outdated election forecast',
		'post_status'   => 'publish',
		'post_author'   => $joel,
		'post_date'     => '2024-02-12 09:00:00',
		'post_category' => array( $europe ),
		'tags_input'    => array( 'elections' ),
		'post_content'  => wpfixture_p( 'Our model gave the coalition a narrow lead. The model was wrong, and this post was withdrawn.' ),
	)
);
wp_trash_post( $forecast );

// --- Comments on the anniversary piece (and one pingback on the corridor notes) --------------

$first = wpfixture_comment(
	$accord,
	'2024-03-04 13:02:00',
	array(
		'comment_author'       => 'Ana Petrescu',
		'comment_author_email' => 'ana.petrescu@example.net',
		'comment_author_url'   => 'https://petrescu.example.net',
		'comment_author_IP'    => '192.0.2.41',
		'comment_content'      => 'I crossed on that ferry last summer. Nobody on board knew it had made history.',
	)
);
wpfixture_comment(
	$accord,
	'2024-03-04 15:20:00',
	array(
		'comment_author'       => 'Mara Hartwell',
		'comment_author_email' => 'mara.hartwell@example.org',
		'comment_author_IP'    => '198.51.100.7',
		'comment_content'      => 'That is the best review a treaty can get. Thank you!',
		'comment_parent'       => $first,
		'user_id'              => $mara,
	)
);
wpfixture_comment(
	$accord,
	'2024-03-05 08:45:00',
	array(
		'comment_author'       => 'Tomas Lind',
		'comment_author_email' => 'tomas@example.com',
		'comment_author_IP'    => '203.0.113.9',
		'comment_content'      => 'Waiting for moderation: is the customs stamp story really true?',
		'comment_approved'     => 0,
	)
);
wpfixture_comment(
	$accord,
	'2024-03-05 09:00:00',
	array(
		'comment_author'       => 'cheap-cranes',
		'comment_author_email' => 'sales@spam.example.com',
		'comment_author_url'   => 'https://spam.example.com',
		'comment_author_IP'    => '203.0.113.66',
		'comment_content'      => 'Buy cranes now!!!',
		'comment_approved'     => 'spam',
	)
);
wpfixture_comment(
	$accord,
	'2024-03-06 18:30:00',
	array(
		'comment_author'       => 'Kit Barros',
		'comment_author_email' => 'kit@example.com',
		'comment_author_IP'    => '203.0.113.12',
		'comment_content'      => 'Posted twice by mistake, please delete.',
		'comment_approved'     => 'trash',
	)
);
wpfixture_comment(
	$corridor,
	'2024-03-19 07:10:00',
	array(
		'comment_author'     => 'Harbour Watch &raquo; Queues are shrinking',
		'comment_author_url' => 'https://harbourwatch.example.net/2024/03/queues/',
		'comment_author_IP'  => '198.51.100.20',
		'comment_content'    => '[&#8230;] the Meridian Review counted the ships so we did not have to [&#8230;]',
		'comment_type'       => 'pingback',
	)
);
wpfixture_comment(
	$sanctions,
	'2024-04-03 10:00:00',
	array(
		'comment_author'       => 'R. Okonkwo',
		'comment_author_email' => 'r.okonkwo@example.net',
		'comment_author_IP'    => '192.0.2.77',
		'comment_content'      => "Good piece.\n\nOne quibble: the fuel went <em>two</em> ports north, not one.",
	)
);

// --- Pages -----------------------------------------------------------------------------------

$about = wpfixture_insert_post(
	array(
		'post_type'    => 'page',
		'post_title'   => 'About',
		'post_status'  => 'publish',
		'post_author'  => $mara,
		'post_date'    => '2024-02-01 10:00:00',
		'menu_order'   => 1,
		'comment_status' => 'closed',
		'post_content' => wpfixture_blocks(
			wpfixture_p( '<strong>The Meridian Review</strong> is a small magazine about foreign policy, written for people who read the footnotes.' ),
			wpfixture_p( 'We publish a few pieces a week and one newsletter. Every country and event on this site is invented.' )
		),
	)
);
$logo_src = wp_get_attachment_image_src( $logo, 'full' );
$masthead = wpfixture_insert_post(
	array(
		'post_type'      => 'page',
		'post_title'     => 'Masthead',
		'post_status'    => 'publish',
		'post_parent'    => $about,
		'post_author'    => $mara,
		'post_date'      => '2024-02-01 10:05:00',
		'comment_status' => 'closed',
		'post_content'   => '<img class="alignleft size-full wp-image-' . $logo . '" src="' . $logo_src[0] . '" alt="The Meridian Review" width="' . $logo_src[1] . '" height="' . $logo_src[2] . '" />

<strong>Editor:</strong> Mara Hartwell
<strong>Shipping and trade:</strong> Joel Okafor-Lind
<strong>Sanctions and economics:</strong> Inès Marangoni

Write to the desk at <a href="mailto:desk@example.org">desk@example.org</a>.',
	)
);
wpfixture_insert_post(
	array(
		'post_type'    => 'page',
		'post_title'   => 'Corrections policy',
		'post_status'  => 'draft',
		'post_parent'  => $about,
		'post_author'  => $mara,
		'post_date'    => '2024-02-02 10:00:00',
		'post_content' => wpfixture_p( 'We correct errors in the article itself and say so at the bottom. (Draft: agree wording with the board.)' ),
	)
);

// --- A custom post type item, and the menu a real site has ----------------------------------

wpfixture_insert_post(
	array(
		'post_type'    => 'briefing',
		'post_title'   => 'Morning briefing, 12 March',
		'post_status'  => 'publish',
		'post_author'  => $mara,
		'post_date'    => '2024-03-12 06:30:00',
		'post_content' => wpfixture_list( array( 'Port Aubry: night loading starts', 'Polar Forum: agenda published', 'Valdoria: new trade minister' ) ),
	)
);

$menu = wp_create_nav_menu( 'Main menu' );
if ( is_wp_error( $menu ) ) {
	wpfixture_fail( 'menu', $menu );
}
foreach (
	array(
		array( 'menu-item-type' => 'post_type', 'menu-item-object' => 'page', 'menu-item-object-id' => $about ),
		array( 'menu-item-type' => 'taxonomy', 'menu-item-object' => 'category', 'menu-item-object-id' => $world ),
		array( 'menu-item-type' => 'custom', 'menu-item-title' => 'Newsletter', 'menu-item-url' => 'https://old.example.org/newsletter/' ),
	) as $position => $item
) {
	wp_update_nav_menu_item( $menu, 0, $item + array( 'menu-item-status' => 'publish', 'menu-item-position' => $position + 1 ) );
}

// --- The featured image whose file the uploads copy will lack --------------------------------

$meta    = wp_get_attachment_metadata( $summit );
$folder  = dirname( $meta['file'] );
$missing = array( $meta['file'] );
foreach ( $meta['sizes'] as $size ) {
	$missing[] = $folder . '/' . $size['file'];
}
file_put_contents( WP_CONTENT_DIR . '/missing-files.txt', implode( "\n", $missing ) . "\n" );

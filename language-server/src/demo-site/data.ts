/**
 * The demo bookshop's catalogue: 60 books and 90 reviews made by a seeded generator, so every
 * start of the site (and every test) sees byte-identical content. Nothing here reads the clock
 * or `Math.random()`.
 */

/** The rating words the shop's HTML uses as a class on `p.star-rating`. */
export const RATING_WORDS = ['One', 'Two', 'Three', 'Four', 'Five'] as const;

/** A rating word, `One` … `Five`. */
export type RatingWord = (typeof RATING_WORDS)[number];

/** One category of the shop, with the id its listing page carries in its path. */
export interface DemoCategory {
  name: string;
  slug: string;
  /** Listing path, e.g. `/catalogue/category/travel_2/index.html`. */
  path: string;
}

/** How a book's detail page is deliberately broken, so a crawl produces failed records. */
export type DemoPageFault = 'no-price' | 'negative-price';

/** One book, as the HTML pages and the JSON API present it. */
export interface DemoBook {
  id: number;
  title: string;
  slug: string;
  category: string;
  categorySlug: string;
  /** Price in GBP with two decimals, between 10 and 60 (the API always serves this). */
  price: number;
  /** 1 … 5. */
  rating: number;
  ratingWord: RatingWord;
  /** Copies in stock, 1 … 22. */
  available: number;
  /** 16 lower-case hex digits, unique. */
  upc: string;
  /** 80 … 200 words. */
  description: string;
  /** Detail page path, e.g. `/catalogue/the-silent-harbour_7/index.html`. */
  path: string;
  /** Set on the two books whose detail page is broken on purpose. */
  pageFault?: DemoPageFault;
}

/** One review of a book, served only by the JSON API. */
export interface DemoReview {
  id: number;
  book_id: number;
  rating: number;
  text: string;
  author: string;
}

/** Books per catalogue listing page (`/catalogue/page-N.html`). */
export const BOOKS_PER_PAGE = 20;

/** The book whose detail page has no price element at all. */
export const NO_PRICE_BOOK_ID = 13;
/** The book whose detail page shows a price of `£-3.00`. */
export const NEGATIVE_PRICE_BOOK_ID = 47;
/** The book that listing page 2 links to a second time with `?utm_source=x`. */
export const UTM_DUPLICATE_BOOK_ID = 27;

/** The catalogue's last change, used as `Last-Modified` for every response. */
export const CATALOGUE_LAST_MODIFIED = new Date(Date.UTC(2025, 0, 6, 9, 0, 0));

/** mulberry32: a small, well-mixed 32-bit PRNG. Deterministic for a given seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Generator {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seeded(seed);
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  hex(digits: number): string {
    let out = '';
    for (let i = 0; i < digits; i++) out += '0123456789abcdef'[this.int(0, 15)];
    return out;
  }
}

/** Lower-case ASCII slug: accents dropped, anything else non-alphanumeric becomes a dash. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/'/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const CATEGORY_NAMES = [
  'Travel', 'Mystery', 'Historical Fiction', 'Sequential Art', 'Classics', 'Philosophy', 'Romance',
  'Poetry', 'Science Fiction', 'Fantasy', 'Science', 'Food and Drink', 'Young Adult', 'Humour',
];

/** The shop's categories, in navigation order. Ids start at 2: `books_1` is the whole catalogue. */
export const DEMO_CATEGORIES: readonly DemoCategory[] = CATEGORY_NAMES.map((name, i) => {
  const slug = slugify(name);
  return { name, slug, path: `/catalogue/category/${slug}_${i + 2}/index.html` };
});

const ADJECTIVES = [
  'Silent', 'Crimson', 'Forgotten', 'Hidden', 'Last', 'Quiet', 'Wandering', 'Broken', 'Golden',
  'Distant', 'Secret', 'Burning', 'Midnight', 'Hollow', 'Endless', 'Painted', 'Salt', 'Winter',
  'Paper', 'Restless', 'Northern', 'Borrowed', 'Velvet', 'Iron',
];
const NOUNS = [
  'Garden', 'River', 'Lighthouse', 'Orchard', 'Cartographer', 'Clockmaker', 'Harbour', 'Kingdom',
  'Archive', 'Daughter', 'Atlas', 'Compass', 'Library', 'Mountain', 'Ferryman', 'Beekeeper',
  'Alphabet', 'Observatory', 'Tide', 'Frontier', 'Bookbinder', 'Orchestra', 'Island', 'Violin',
];
const PLACES = [
  'Lisbon', 'Kestrel Bay', 'Marrakesh', 'the Fens', 'Old Harrow', 'Montréal', 'Zürich', 'Valparaíso',
  'the North Sea', 'Samarkand', 'Little Dunmow', 'the Hebrides', 'Kyoto', 'São Paulo',
];
const NAMES = [
  'Ada', 'Tomas', 'Marguerite', 'Idris', 'Noor', 'Felix', 'Agnieszka', 'Hamish', 'Yuki', 'Bastien',
  'Oona', 'Rafael', 'Leonie', 'Kwame', 'Signe', 'Elif',
];
const SURNAMES = ['Hart', 'Okafor', 'Lindqvist', 'Moreau', 'Patel', 'Nakamura', 'Brennan', 'Costa', 'Novak', 'Adeyemi', 'Fischer', 'Quinn'];
const CRAFTS = ['clock', 'violin', 'book', 'map', 'piano', 'manuscript'];
const VERBS = ['Sleeps', 'Turns', 'Remembers', 'Sings', 'Falls', 'Waits', 'Burns', 'Returns'];

function makeTitle(g: Generator): string {
  switch (g.int(0, 6)) {
    case 0: return `The ${g.pick(ADJECTIVES)} ${g.pick(NOUNS)}`;
    case 1: return `The ${g.pick(NOUNS)} of ${g.pick(PLACES)}`;
    case 2: {
      const adjective = g.pick(ADJECTIVES);
      return `${/^[AEIOU]/.test(adjective) ? 'An' : 'A'} ${adjective} ${g.pick(NOUNS)} in ${g.pick(PLACES)}`;
    }
    case 3: return `${g.pick(NAMES)}'s ${g.pick(NOUNS)}`;
    case 4: {
      const first = g.pick(NOUNS);
      const second = g.pick(NOUNS.filter((n) => n !== first));
      return `The ${first} and the ${second}`;
    }
    case 5: return `Notes from ${g.pick(PLACES)}`;
    default: return `When the ${g.pick(NOUNS)} ${g.pick(VERBS)}`;
  }
}

const DESCRIPTION_SENTENCES = [
  'Set against the weather-beaten streets of {place}, this is a story about what we keep and what we let go.',
  '{name} {surname} has spent a lifetime avoiding the past, until a letter arrives that cannot be ignored.',
  'Told in alternating chapters, the novel moves between two summers forty years apart.',
  'Critics have called it a quiet triumph, tender and unsentimental by turns.',
  'At its heart is a friendship tested by ambition, distance and one unforgivable decision.',
  'The prose is spare but luminous, and the ending lingers long after the last page.',
  'Readers who loved the author’s debut will find the same wit here, sharpened by grief.',
  'Part detective story and part family saga, it refuses to settle into either.',
  'What begins as a simple errand becomes a journey across three countries and two languages.',
  'Every chapter opens with a fragment from an old {craft} ledger, and the fragments slowly fit together.',
  'It is a book about maps, and about the places that no map has ever shown.',
  'There are no villains here, only people doing their best with too little time.',
  '{name} is sharp, stubborn and funny, and it is impossible not to root for her.',
  'The {adjective} {noun} of the title is both a real place and a state of mind.',
  'This new edition includes an afterword by the author and a short reading guide.',
  'Winner of a regional prize for first fiction, it has been translated into eleven languages.',
  'Behind the gentle surface runs a current of real suspense.',
  'The supporting cast, from a retired ferryman to a pair of feuding sisters, is drawn with great affection.',
  'Some questions are answered; the most important ones are left, deliberately, to the reader.',
  'It rewards a slow reading, ideally with a pot of tea and a rainy afternoon.',
  'The research is meticulous, but it never gets in the way of the story.',
  'Few recent books have captured so well the strangeness of coming home.',
  'By turns a love letter to {place} and a warning about nostalgia, it is hard to put down.',
  'A chance meeting on a night train sets everything in motion.',
  'The author worked for years as a {craft} restorer, and it shows in every careful detail.',
];

function fill(g: Generator, template: string): string {
  return template
    .replace(/\{place\}/g, () => g.pick(PLACES))
    .replace(/\{name\}/g, () => g.pick(NAMES))
    .replace(/\{surname\}/g, () => g.pick(SURNAMES))
    .replace(/\{noun\}/g, () => g.pick(NOUNS).toLowerCase())
    .replace(/\{adjective\}/g, () => g.pick(ADJECTIVES).toLowerCase())
    .replace(/\{craft\}/g, () => g.pick(CRAFTS));
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

/** A description of 80 … 200 words: sentences are added until a random target in 80 … 180 is
 * reached, and no sentence is longer than 20 words, so the total never passes 200. */
function makeDescription(g: Generator, title: string): string {
  const sentences = [`${title} is a novel you will not forget.`];
  let words = wordCount(sentences[0]);
  const target = g.int(80, 180);
  const used = new Set<number>();
  for (let guard = 0; words < target && guard < 200; guard++) {
    const index = g.int(0, DESCRIPTION_SENTENCES.length - 1);
    if (used.has(index) && used.size < DESCRIPTION_SENTENCES.length) continue;
    used.add(index);
    const sentence = fill(g, DESCRIPTION_SENTENCES[index]);
    sentences.push(sentence);
    words += wordCount(sentence);
  }
  return sentences.join(' ');
}

function makeBooks(): DemoBook[] {
  const g = new Generator(0x9e1ea7);
  const books: DemoBook[] = [];
  const titles = new Set<string>();
  const upcs = new Set<string>();
  for (let id = 1; id <= 60; id++) {
    let title = makeTitle(g);
    for (let guard = 0; titles.has(title) && guard < 100; guard++) title = makeTitle(g);
    if (titles.has(title)) title = `${title}, Volume ${id}`;
    titles.add(title);
    let upc = g.hex(16);
    while (upcs.has(upc)) upc = g.hex(16);
    upcs.add(upc);
    const category = g.pick(DEMO_CATEGORIES);
    const rating = g.int(1, 5);
    const slug = slugify(title);
    const book: DemoBook = {
      id,
      title,
      slug,
      category: category.name,
      categorySlug: category.slug,
      price: g.int(1000, 6000) / 100,
      rating,
      ratingWord: RATING_WORDS[rating - 1],
      available: g.int(1, 22),
      upc,
      description: makeDescription(g, title),
      path: `/catalogue/${slug}_${id}/index.html`,
    };
    if (id === NO_PRICE_BOOK_ID) book.pageFault = 'no-price';
    if (id === NEGATIVE_PRICE_BOOK_ID) book.pageFault = 'negative-price';
    books.push(book);
  }
  return books;
}

const REVIEW_OPENINGS: Record<number, readonly string[]> = {
  1: ['I gave up halfway through.', 'Not for me, sadly.', 'A real disappointment after all the hype.', 'I wanted to like this far more than I did.'],
  2: ['Some lovely passages, but it drags.', 'The middle third lost me completely.', 'Promising start, muddled finish.', 'Beautifully printed, oddly hollow.'],
  3: ['Solid, if unremarkable.', 'A decent read for a long train journey.', 'Good in places, forgettable in others.', 'I enjoyed it without ever loving it.'],
  4: ['Really enjoyed this one.', 'A warm, clever book that I will recommend.', 'Much better than I expected.', 'Read it in two sittings.'],
  5: ['An absolute gem.', 'Easily the best thing I have read this year.', 'I have already bought three copies for friends.', 'Wonderful from the first line to the last.'],
};
const REVIEW_MIDDLES = [
  'The description of {place} made me want to book a ticket.',
  'The character of {name} stayed with me for days.',
  'The pacing was uneven, especially around the {noun} chapters.',
  'The dialogue felt natural and often very funny.',
  'I found the ending rushed.',
  'The translation reads beautifully.',
  'My book club argued about it for two hours.',
  'It reminded me of the novels my grandmother used to lend me.',
  'I kept a pencil handy for the many lines worth underlining.',
  'The twist with the {noun} was well set up.',
  'The chapter set on the night ferry is a small masterpiece.',
  'Too many minor characters to keep track of.',
  'The audiobook narrator is excellent too.',
  'It is shorter than it looks, which is no bad thing.',
];

function makeReviews(books: readonly DemoBook[]): DemoReview[] {
  const g = new Generator(0x4e71e5);
  const reviews: DemoReview[] = [];
  for (let id = 1; id <= 90; id++) {
    const book = books[g.int(0, books.length - 1)];
    // Reviewers mostly agree with the shop's rating, give or take one star.
    const rating = Math.min(5, Math.max(1, book.rating + g.int(-1, 1)));
    const parts = [g.pick(REVIEW_OPENINGS[rating])];
    const first = g.int(0, REVIEW_MIDDLES.length - 1);
    const second = (first + g.int(1, REVIEW_MIDDLES.length - 1)) % REVIEW_MIDDLES.length;
    parts.push(fill(g, REVIEW_MIDDLES[first]), fill(g, REVIEW_MIDDLES[second]));
    parts.push(`Review of “${book.title}”, read in ${g.pick(['spring', 'summer', 'autumn', 'winter'])} ${g.int(2019, 2024)}.`);
    reviews.push({ id, book_id: book.id, rating, text: parts.join(' '), author: `${g.pick(NAMES)} ${g.pick(SURNAMES)[0]}.` });
  }
  return reviews;
}

/** The 60 books, ordered by id (1 … 60); listing page N shows ids 20(N-1)+1 … 20N. */
export const DEMO_BOOKS: readonly DemoBook[] = makeBooks();

/** The 90 reviews, ordered by id (1 … 90). */
export const DEMO_REVIEWS: readonly DemoReview[] = makeReviews(DEMO_BOOKS);

/** Number of catalogue listing pages. */
export const LISTING_PAGES = Math.ceil(DEMO_BOOKS.length / BOOKS_PER_PAGE);
